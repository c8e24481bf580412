@echo off
rem ybguard evidence collector for Windows XP SP3 ... 11 -- writes a ybguard.evidence/v1 bundle.
rem Only the system's own commands (no PowerShell). Run from an elevated prompt:
rem     collect.cmd OUTDIR        (OUTDIR must not exist yet; a share such as \\server\evidence\PC01 works)
rem It reads, changes no setting, starts nothing that outlives it and writes only under OUTDIR.
rem A step that fails (a tool missing on XP, access denied) is recorded with its exit code and the
rem collection goes on. manifest.json is written in the console's code page (host.codepage).
setlocal EnableExtensions DisableDelayedExpansion
set KIT_VERSION=@VERSION@
set KIT_NAME=ybguard-collect.cmd

if "%~1"=="" goto usage
if not "%~2"=="" goto usage
set "OUT=%~f1"
if exist "%OUT%" (
    echo collect.cmd: %OUT% already exists; give a new folder 1>&2
    exit /b 2
)
mkdir "%OUT%" 2>nul
if not exist "%OUT%\" (
    echo collect.cmd: cannot create %OUT% 1>&2
    exit /b 2
)
mkdir "%OUT%\commands"
mkdir "%OUT%\registry"
mkdir "%OUT%\registry\users"
mkdir "%OUT%\.work"
set "WORK=%OUT%\.work"
set "META=%OUT%\.work\meta.txt"
type nul > "%META%"

rem the console code page: the tools' output (and this manifest) are written in it
set CP=
for /f "tokens=2 delims=:" %%c in ('chcp') do set "CP=%%c"
set "CP=%CP: =%"
set "CP=%CP:.=%"

rem a locale-independent clock where wmic exists; else the raw %DATE% %TIME%
set HAVE_WMIC=0
wmic os get LocalDateTime /value >nul 2>&1 && set HAVE_WMIC=1
call :now
set "STARTED=%NOW%"

set ELEVATED=false
net session >nul 2>&1 && set ELEVATED=true
if "%ELEVATED%"=="false" (
    fsutil dirty query %SystemDrive% >nul 2>&1 && set ELEVATED=true
)

set HAVE_CERTUTIL=0
certutil -hashfile "%~f0" SHA256 >nul 2>&1 && set HAVE_CERTUTIL=1

echo collect.cmd: collecting into %OUT% 1>&2

rem --- commands (contract: the manifest's "command" is exactly what the scan asks for) ---------
call :rec route_print "route print"
call :rec ipconfig_all "ipconfig /all"
call :rec netstat_-ano "netstat -ano"
call :rec tasklist_v_fo_csv "tasklist /v /fo csv"
call :rec net_accounts "net accounts"
call :rec net_user "net user"
call :rec net_localgroup_administrators "net localgroup administrators"
call :rec auditpol_get_category_r "auditpol /get /category:* /r"
call :rec w32tm_query_status "w32tm /query /status"
call :rec netsh_wlan_show_profiles "netsh wlan show profiles"
call :rec netsh_interface_show_interface "netsh interface show interface"
call :rec netsh_winhttp_show_proxy "netsh winhttp show proxy"
call :rec systeminfo "systeminfo"
call :rec wmic_logicaldisk_get_Caption_DriveType_FileSystem_VolumeSerialNumber "wmic logicaldisk get Caption,DriveType,FileSystem,VolumeSerialNumber"
call :rec fsutil_fsinfo_drives "fsutil fsinfo drives"
call :rec ver "ver"

rem secedit writes its answer to a file: recorded as commands/secedit.inf
call :now
secedit /export /cfg "%OUT%\commands\secedit.inf" /quiet >nul 2>&1
set RC=%ERRORLEVEL%
if "%RC%"=="0" if not exist "%OUT%\commands\secedit.inf" set RC=1
>> "%META%" echo command^|commands/secedit.inf^|%RC%^|%NOW%^|secedit /export /cfg secedit.inf

rem event logs (history.*: clock changes 4616 / Kernel-General 1, service installs 7045): wevtutil
rem exports a copy while the Event Log service keeps the live file open; XP has no wevtutil (recorded)
call :evtx Security
call :evtx System

rem net user NAME for every local account (the names between the dashed line and the last line)
call :users

rem --- registry hives (reg save; SAM and SECURITY need an elevated prompt) -----------------------
call :hive SYSTEM "HKLM\SYSTEM" "HKLM\\SYSTEM"
call :hive SOFTWARE "HKLM\SOFTWARE" "HKLM\\SOFTWARE"
call :hive SAM "HKLM\SAM" "HKLM\\SAM"
call :hive SECURITY "HKLM\SECURITY" "HKLM\\SECURITY"
rem every loaded user's hive: HKEY_USERS\S-1-5-21-... (not the _Classes keys)
for /f "tokens=*" %%k in ('reg query HKU 2^>nul ^| findstr /r /c:"S-1-5-21-[0-9-]*$"') do call :userhive "%%k"

rem --- the manifest ----------------------------------------------------------------------------------
call :now
set "FINISHED=%NOW%"
set "M=%OUT%\manifest.json"
> "%M%" echo {
>> "%M%" echo  "schema": "ybguard.evidence/v1",
>> "%M%" echo  "collector": {"name": "%KIT_NAME%", "version": "%KIT_VERSION%", "os": "windows"},
>> "%M%" echo  "host": {"hostname": "%COMPUTERNAME%", "os": "Windows", "user": "%USERNAME%", "elevated": %ELEVATED%, "codepage": "%CP%"},
>> "%M%" echo  "started_at": "%STARTED%",
>> "%M%" echo  "finished_at": "%FINISHED%",
>> "%M%" echo  "artifacts": [
set FIRST=1
for /f "usebackq tokens=1-5 delims=|" %%a in ("%META%") do call :emit "%%a" "%%b" "%%c" "%%d" "%%e"
>> "%M%" echo  ]
>> "%M%" echo }
rmdir /s /q "%WORK%"
rem an empty folder carries no fact, and the scan refuses what the manifest does not list
rmdir "%OUT%\registry\users" 2>nul
rmdir "%OUT%\registry" 2>nul
echo collect.cmd: done: %OUT% 1>&2
echo collect.cmd: copy the whole folder (or a .zip of it) to the IT workstation 1>&2
endlocal
exit /b 0

:usage
echo usage: collect.cmd OUTDIR   (elevated prompt; OUTDIR is created) 1>&2
exit /b 2

:evtx
call :now
wevtutil epl %1 "%OUT%\commands\%1.evtx" > nul 2> "%WORK%\stderr.txt"
set RC=%ERRORLEVEL%
if "%RC%"=="0" if not exist "%OUT%\commands\%1.evtx" set RC=1
>> "%META%" echo command^|commands/%1.evtx^|%RC%^|%NOW%^|wevtutil epl %1 %1.evtx
goto :eof

rem :rec NAME "COMMAND LINE" -- run one tool, stdout to commands\NAME.txt, its exit code to the manifest.
rem NAME is the command line with every run of characters outside [A-Za-z0-9._-] replaced by "_".
:rec
set "NAME=%~1"
set "CMDLINE=%~2"
call :now
rem (call ) resets ERRORLEVEL: builtins such as ver leave the previous one standing
(call )
%CMDLINE% > "%OUT%\commands\%NAME%.txt" 2> "%WORK%\stderr.txt" < nul
set RC=%ERRORLEVEL%
>> "%META%" echo command^|commands/%NAME%.txt^|%RC%^|%NOW%^|%CMDLINE%
goto :eof

:users
set "UF=%OUT%\commands\net_user.txt"
if not exist "%UF%" goto :eof
set DASH=0
set TOTAL=0
for /f "tokens=1 delims=:" %%n in ('findstr /n "^" "%UF%"') do set TOTAL=%%n
for /f "tokens=1 delims=:" %%n in ('findstr /n /b /c:"---" "%UF%"') do set DASH=%%n
if "%DASH%"=="0" goto :eof
set /a LAST=TOTAL
rem the last non-empty line is "The command completed successfully." in any language
for /f "tokens=1 delims=:" %%n in ('findstr /n /r /c:"[^ ]" "%UF%"') do set LAST=%%n
for /f "tokens=1* delims=:" %%n in ('findstr /n "^" "%UF%"') do call :userline %%n "%%o"
goto :eof

:userline
if %1 LEQ %DASH% goto :eof
if %1 GEQ %LAST% goto :eof
for /f "tokens=1,2,3" %%u in ("%~2") do (
    call :rec "net_user_%%u" "net user %%u"
    if not "%%v"=="" call :rec "net_user_%%v" "net user %%v"
    if not "%%w"=="" call :rec "net_user_%%w" "net user %%w"
)
goto :eof

rem :hive FILE KEY JSON-KEY -- reg save KEY registry\FILE
:hive
call :now
reg save %2 "%OUT%\registry\%~1" > nul 2> "%WORK%\stderr.txt"
set RC=%ERRORLEVEL%
if not exist "%OUT%\registry\%~1" if "%RC%"=="0" set RC=1
>> "%META%" echo hive^|registry/%~1^|%RC%^|%NOW%^|%~3
goto :eof

:userhive
set "KEY=%~1"
for /f "tokens=2 delims=\" %%s in ("%KEY%") do set "SID=%%s"
mkdir "%OUT%\registry\users\%SID%" 2>nul
call :now
reg save "HKU\%SID%" "%OUT%\registry\users\%SID%\NTUSER.DAT" > nul 2> "%WORK%\stderr.txt"
set RC=%ERRORLEVEL%
if not exist "%OUT%\registry\users\%SID%\NTUSER.DAT" if "%RC%"=="0" set RC=1
if not exist "%OUT%\registry\users\%SID%\NTUSER.DAT" rmdir "%OUT%\registry\users\%SID%" 2>nul
>> "%META%" echo hive^|registry/users/%SID%/NTUSER.DAT^|%RC%^|%NOW%^|HKU\\%SID%
goto :eof

rem :emit KIND PATH EXIT TIME WHAT -- one artifact line: size and sha256 of the file when it exists
:emit
set "EK=%~1"
set "EP=%~2"
set "EC=%~3"
set "ET=%~4"
set "EW=%~5"
set "EF=%OUT%\%EP:/=\%"
set "WHATKEY=source"
if "%EK%"=="command" set "WHATKEY=command"
set "SZ="
set "H="
if exist "%EF%" for %%z in ("%EF%") do set "SZ=%%~zz"
if exist "%EF%" if "%HAVE_CERTUTIL%"=="1" call :hash "%EF%"
if "%FIRST%"=="1" (set "SEP=  ") else (set "SEP= ,")
set FIRST=0
if not exist "%EF%" (
    >> "%M%" echo %SEP%{"path": "%EP%", "kind": "%EK%", "%WHATKEY%": "%EW%", "exit_code": %EC%, "started_at": "%ET%", "sha256": null}
    goto :eof
)
if "%H%"=="" (
    >> "%M%" echo %SEP%{"path": "%EP%", "kind": "%EK%", "%WHATKEY%": "%EW%", "exit_code": %EC%, "started_at": "%ET%", "bytes": %SZ%, "sha256": null, "unhashed": true}
) else (
    >> "%M%" echo %SEP%{"path": "%EP%", "kind": "%EK%", "%WHATKEY%": "%EW%", "exit_code": %EC%, "started_at": "%ET%", "bytes": %SZ%, "sha256": "%H%"}
)
goto :eof

:hash
set "H="
for /f "skip=1 tokens=*" %%h in ('certutil -hashfile "%~1" SHA256 2^>nul') do if not defined H set "H=%%h"
if not defined H goto :eof
set "H=%H: =%"
rem certutil's last line ("CertUtil: ... successfully") is not a hash; a hash has no colon
if not "%H::=%"=="%H%" set "H="
goto :eof

rem :now -- NOW=ISO 8601 local time with offset via wmic, else the locale's %DATE% %TIME%
:now
set "NOW=%DATE% %TIME%"
if "%HAVE_WMIC%"=="0" goto :eof
set "LDT="
for /f "tokens=2 delims==" %%t in ('wmic os get LocalDateTime /value 2^>nul ^| find "="') do set "LDT=%%t"
if not defined LDT goto :eof
set "OFFS=%LDT:~21,4%"
set "SIGN=%LDT:~21,1%"
set /a OFFM=1%LDT:~22,3%-1000 2>nul
set /a OH=OFFM/60, OM=OFFM%%60
if %OH% LSS 10 set OH=0%OH%
if %OM% LSS 10 set OM=0%OM%
set "NOW=%LDT:~0,4%-%LDT:~4,2%-%LDT:~6,2%T%LDT:~8,2%:%LDT:~10,2%:%LDT:~12,2%%SIGN%%OH%:%OM%"
goto :eof
