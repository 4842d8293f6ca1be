;;; pip-cache-lsp.el --- pip-cache-lsp in Emacs through Eglot  -*- lexical-binding: t; -*-

;; Copy this into your init.el (or `load' this file from it).  It needs:
;; - Eglot: built into Emacs 29 and newer; on Emacs 26.3-28 `M-x package-install RET eglot'
;;   (GNU ELPA) or Debian/Ubuntu's elpa-eglot package.
;; - dockerfile-mode: `M-x package-install RET dockerfile-mode' (NonGNU ELPA/MELPA) or Debian's
;;   elpa-dockerfile-mode.  On Emacs 29+ the built-in dockerfile-ts-mode works too.
;; - `pip-cache-lsp' on PATH (pipx install pip-cache-lsp, or your venv's bin/), or put the
;;   full path of the executable in place of "pip-cache-lsp" below.
;; tests/emacs/test_emacs.py loads this very file into a headless Emacs (28.2, Eglot 1.9).

(require 'eglot)
(require 'dockerfile-mode)

;; Eglot has its own entry for dockerfile-mode (docker-langserver); `add-to-list' puts this one
;; first, and Eglot uses the first entry that matches the buffer's major mode.
(add-to-list 'eglot-server-programs
             '((dockerfile-mode dockerfile-ts-mode)
               . ("pip-cache-lsp" "serve"
                  ;; Optional settings: enable (t), severity ("warning"), honourEnv (t).
                  ;; Write false as :json-false (nil would be sent as null, not false).
                  :initializationOptions (:severity "warning" :honourEnv t))))

;; Start (or reuse) the server whenever a Dockerfile is opened.
(add-hook 'dockerfile-mode-hook #'eglot-ensure)
(add-hook 'dockerfile-ts-mode-hook #'eglot-ensure)
