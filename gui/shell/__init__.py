"""The application and its main window: sidebar, case list, companies, tray."""
