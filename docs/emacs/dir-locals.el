;; .dir-locals.el at the root of a project: pip-cache-lsp settings for its Dockerfiles.
;; :json-false is JSON false (nil would be null, which the server ignores).
((dockerfile-mode . ((eglot-workspace-configuration
                      . (:pipCacheLsp (:severity "error" :honourEnv :json-false))))))
