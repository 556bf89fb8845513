# fuzz: files of this folder (included by Makefile.am)
