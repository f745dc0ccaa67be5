"""PDF documents built with ReportLab; each issued document carries a verification code."""
