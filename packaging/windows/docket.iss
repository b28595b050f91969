; Inno Setup script for Docket on Windows.
;   python packaging\build.py
;   iscc packaging\windows\docket.iss        -> dist\Docket-setup-<version>.exe
; Installs per user (no administrator rights needed), with a Start menu entry.

#define AppVersion GetEnv("DOCKET_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C1E3C5A-8E0B-4B5E-9B4C-5D0C6F7A2D11}
AppName=Docket
AppVersion={#AppVersion}
AppPublisher=Docket developers
DefaultDirName={localappdata}\Programs\Docket
DefaultGroupName=Docket
PrivilegesRequired=lowest
OutputDir=..\..\dist
OutputBaseFilename=Docket-setup-{#AppVersion}
SetupIconFile=..\build\icons\docket.ico
UninstallDisplayIcon={app}\Docket.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\..\LICENSE

[Files]
Source: "..\..\dist\docket\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Docket"; Filename: "{app}\Docket.exe"
Name: "{autodesktop}\Docket"; Filename: "{app}\Docket.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\Docket.exe"; Description: "Start Docket"; Flags: nowait postinstall skipifsilent
