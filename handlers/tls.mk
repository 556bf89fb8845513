# TLS handler files (appended to libpdhandlers.a)
