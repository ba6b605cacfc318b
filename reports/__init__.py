"""Documents made from meetings: PDFs, the quarterly data return, the dashboard."""
