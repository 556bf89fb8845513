# SMTP handler files (appended to libpdhandlers.a)
