from django.urls import path

from alongside.safety import reports

app_name = "safety_reports"

urlpatterns = [
    path("reports/", reports.my_reports, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("connections/<int:pk>/report/", reports.report_connection, name="report_connection"),
    path("threads/<int:pk>/report/", reports.report_thread, name="report_thread"),
]
