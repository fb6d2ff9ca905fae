; Porthole's additions to electron-builder's NSIS installer (electron-builder.yml: nsis.include).
;
; Profiles (.yaml .yml .json .toml .conf) get Porthole in Explorer's "Open with" list through
; OpenWithProgids, which offers an app without taking over the extension's default (electron-builder's
; own fileAssociations would set the default handler of .json and .yaml, and only per machine).
; SHELL_CONTEXT is HKCU for a per-user install and HKLM for a per-machine one, as the installer chose.

!macro portholeOpenWith EXT
  WriteRegStr SHELL_CONTEXT "Software\Classes\.${EXT}\OpenWithProgids" "Porthole.Profile" ""
!macroend

!macro portholeNoOpenWith EXT
  DeleteRegValue SHELL_CONTEXT "Software\Classes\.${EXT}\OpenWithProgids" "Porthole.Profile"
!macroend

!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\Porthole.Profile" "" "Porthole profile"
  WriteRegStr SHELL_CONTEXT "Software\Classes\Porthole.Profile\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\Porthole.Profile\shell\open" "" "Open with Porthole"
  WriteRegStr SHELL_CONTEXT "Software\Classes\Porthole.Profile\shell\open\command" "" '"$appExe" "%1"'
  !insertmacro portholeOpenWith "yaml"
  !insertmacro portholeOpenWith "yml"
  !insertmacro portholeOpenWith "json"
  !insertmacro portholeOpenWith "toml"
  !insertmacro portholeOpenWith "conf"
  ; SHCNE_ASSOCCHANGED: Explorer rereads associations now rather than after a sign-out.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend

!macro customUnInstall
  !insertmacro portholeNoOpenWith "yaml"
  !insertmacro portholeNoOpenWith "yml"
  !insertmacro portholeNoOpenWith "json"
  !insertmacro portholeNoOpenWith "toml"
  !insertmacro portholeNoOpenWith "conf"
  DeleteRegKey SHELL_CONTEXT "Software\Classes\Porthole.Profile"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend
