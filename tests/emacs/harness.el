;;; harness.el --- drive Eglot in batch Emacs for tests/emacs/test_emacs.py  -*- lexical-binding: t; -*-

;; `emacs --batch -l docs/emacs/pip-cache-lsp.el -l tests/emacs/harness.el': the user's config,
;; verbatim, then this file, which reads these environment variables:
;;   PCL_FILE     the Dockerfile to open
;;   PCL_RESULT   where to write the JSON result (always written, also on error)
;;   PCL_CASE     "quickfix": fix the finding, wait for the diagnostics to clear, save;
;;                "fixall": the same with the server's fix-all action (C-u, kind prompt);
;;                "lone-cr": record the diagnostics, apply the fix Emacs shows on the
;;                `pip install b' line (if any), save
;;   PCL_TIMEOUT  seconds for each wait (default 15)
;;
;; Batch Emacs has no command loop: nothing runs `post-command-hook' (where `eglot-ensure' and
;; Flymake defer their start) and Emacs is never idle (Eglot sends didChange, Flymake rechecks,
;; after 0.5 s of idle time).  So the harness plays the command loop: `pcl-command' runs a
;; command the way the loop would (this-command bound, post-command-hook afterwards) and
;; `pcl-wait' alternates `accept-process-output' with one "idle period" in which each pending
;; idle timer fires once.  Everything else (which server starts, the requests, applying the
;; edit, saving) is Eglot's and Flymake's own code.

(require 'cl-lib)
(require 'json)
(require 'subr-x)
(require 'seq)

(defvar pcl-result nil "Alist written to PCL_RESULT as JSON.")
(defvar pcl-timeout (string-to-number (or (getenv "PCL_TIMEOUT") "15")))

(defun pcl-put (key value)
  "Record VALUE under KEY in the result."
  (setf (alist-get key pcl-result) value))

(defun pcl-step (name)
  "Record that step NAME was reached."
  (pcl-put 'steps (vconcat (alist-get 'steps pcl-result) (list name))))

(defun pcl-write-result ()
  "Write the result to PCL_RESULT, for the Python test to read."
  (with-temp-file (getenv "PCL_RESULT")
    (insert (json-encode pcl-result))))

(defun pcl-command (fn)
  "Run FN as an interactive command would run: then the command loop's post-command-hook."
  (let ((this-command fn) (real-this-command fn))
    (call-interactively fn)
    (run-hooks 'post-command-hook)))

(defun pcl-idle ()
  "One idle period: every idle timer pending now fires once, as when the user stops typing."
  (dolist (timer (copy-sequence timer-idle-list))
    (when (memq timer timer-idle-list)
      (timer-event-handler timer))))

(defun pcl-wait (what predicate)
  "Pump process output and idle timers until PREDICATE holds; fail after `pcl-timeout' s."
  (let ((deadline (+ (float-time) pcl-timeout)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline)
        (error "Timed out after %ss waiting for %s" pcl-timeout what))
      (accept-process-output nil 0.05)
      (pcl-idle))
    (pcl-step what)))

(defun pcl-line (pos)
  "0-based line of POS as Emacs counts lines (only newline ends one)."
  (save-excursion (goto-char pos) (1- (line-number-at-pos nil t))))

(defun pcl-column (pos)
  "Characters between the start of POS's line and POS (not display columns, which count a
wide character as two)."
  (save-excursion (goto-char pos) (- pos (line-beginning-position))))

(defun pcl-diagnostics ()
  "Flymake's diagnostics in this buffer as Emacs shows them, with the LSP range Eglot got."
  (vconcat
   (mapcar
    (lambda (d)
      (let* ((beg (flymake-diagnostic-beg d))
             (end (flymake-diagnostic-end d))
             (lsp (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d)))
             (range (plist-get lsp :range)))
        `((line . ,(pcl-line beg))
          (column . ,(pcl-column beg))
          (end_line . ,(pcl-line end))
          (end_column . ,(pcl-column end))
          (beg . ,beg)
          (end . ,end)
          (type . ,(symbol-name (flymake-diagnostic-type d)))
          (text . ,(flymake-diagnostic-text d))
          (code . ,(plist-get lsp :code))
          (lsp_range . ((start . ((line . ,(plist-get (plist-get range :start) :line))
                                  (character . ,(plist-get (plist-get range :start) :character))))
                        (end . ((line . ,(plist-get (plist-get range :end) :line))
                                (character . ,(plist-get (plist-get range :end) :character)))))))))
    (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a)
                                                 (flymake-diagnostic-beg b)))))))

(defun pcl-apply-fix-at (diagnostic choice &optional kind)
  "Put point at DIAGNOSTIC's start and run `eglot-code-actions' as M-x would, picking CHOICE.
`eglot-code-action-quickfix' (Eglot 1.9) only returns the actions, so the harness calls the
interactive command.  Its menu is `completing-read' when the command came from the keyboard
\(`last-nonmenu-event' not a mouse event); the harness answers it with CHOICE and records
what was offered.  With KIND, the command runs as after C-u, and the harness answers its
\"Action kind\" prompt with KIND (Eglot then applies the one action of that kind unasked)."
  (goto-char (flymake-diagnostic-beg diagnostic))
  (let ((tick (buffer-chars-modified-tick))
        (last-nonmenu-event ?\r)
        (current-prefix-arg (and kind '(4)))
        (offered nil))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (prompt collection &rest _)
                 (if (and kind (string-match-p "Action kind" prompt))
                     kind
                   (pcl-put 'prompt prompt)
                   (setq offered (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
                   (unless (member choice offered)
                     (error "Code action %S not offered; got %S" choice offered))
                   choice))))
      (pcl-command #'eglot-code-actions))
    (pcl-put 'offered (vconcat offered))
    (pcl-wait "the quick fix applied" (lambda () (/= tick (buffer-chars-modified-tick))))))

(defun pcl-server-pid ()
  "The pid of the process Eglot started for this buffer's server."
  (process-id (jsonrpc--process (eglot-current-server))))

(defun pcl-run ()
  "Open PCL_FILE (the recipe is loaded already) and drive the case named by PCL_CASE."
  (pcl-step "started")
  (pcl-put 'emacs_version emacs-version)
  (pcl-put 'eglot_file (locate-library "eglot"))
  (let ((file (getenv "PCL_FILE"))
        (case (getenv "PCL_CASE")))
    (pcl-command (lambda () (interactive) (find-file file)))
    (pcl-put 'major_mode (symbol-name major-mode))
    (pcl-put 'coding_system (symbol-name buffer-file-coding-system))
    (pcl-wait "eglot managing the buffer"
              (lambda () (and (bound-and-true-p eglot--managed-mode) (eglot-current-server))))
    (let ((server (eglot-current-server)))
      (pcl-put 'server_command (vconcat (process-command (jsonrpc--process server))))
      (pcl-put 'server_info (eglot--server-info server))
      (pcl-put 'position_encoding (plist-get (eglot--capabilities server) :positionEncoding)))
    ;; Eglot connected from post-command-hook, and Flymake, switched on meanwhile, deferred its
    ;; first check to the end of the next command: any keystroke of the user's (here one that
    ;; does nothing).
    (pcl-command (lambda () (interactive)))
    (pcl-wait "diagnostics" (lambda () (flymake-diagnostics)))
    (let ((diagnostics (pcl-diagnostics)))
      (pcl-put 'diagnostics diagnostics)
      (pcl-put 'buffer_lines (count-lines (point-min) (point-max))))
    (cond
     ((equal case "quickfix")
      (pcl-apply-fix-at (car (flymake-diagnostics)) "Add --no-cache-dir")
      (pcl-wait "diagnostics cleared" (lambda () (null (flymake-diagnostics))))
      (pcl-put 'after (pcl-diagnostics)))
     ((equal case "fixall")
      ;; C-u M-x eglot-code-actions, kind source.fixAll.pip-cache-lsp: every finding at once.
      (pcl-put 'workspace_configuration (prin1-to-string eglot-workspace-configuration))
      (pcl-apply-fix-at (car (flymake-diagnostics)) nil "source.fixAll.pip-cache-lsp")
      (pcl-wait "diagnostics cleared" (lambda () (null (flymake-diagnostics))))
      (pcl-put 'after (pcl-diagnostics)))
     ((equal case "lone-cr")
      ;; The user's move: go to the finding Emacs shows on the `pip install b' line and apply
      ;; its quick fix.  Should Emacs show none there, record that and change nothing.
      (let* ((b-line (save-excursion (goto-char (point-min))
                                     (search-forward "pip install b")
                                     (pcl-line (point))))
             (on-b (cl-find-if (lambda (d) (= b-line (pcl-line (flymake-diagnostic-beg d))))
                               (flymake-diagnostics))))
        (pcl-put 'b_line b-line)
        (if (null on-b)
            (pcl-put 'fix_error (format "no diagnostic on line %d, the pip install b line" b-line))
          (pcl-put 'fix_for (seq-find (lambda (d) (= b-line (alist-get 'line d)))
                                      (pcl-diagnostics)))
          (condition-case err
              (pcl-apply-fix-at on-b "Add --no-cache-dir")
            (error (pcl-put 'fix_error (error-message-string err))))))
      ;; Two idle periods: Eglot sends the change, the server answers, Flymake shows it.
      (dotimes (_ 2)
        (pcl-idle)
        (accept-process-output nil 0.5))
      (pcl-put 'after (pcl-diagnostics)))
     (t (error "Unknown PCL_CASE %S" case)))
    (pcl-command #'save-buffer)
    ;; Let Eglot's didSave (sent from after-save-hook) leave before the session ends.
    (dotimes (_ 3)
      (pcl-idle)
      (accept-process-output nil 0.1))
    (pcl-step "saved")
    (pcl-put 'buffer_text (buffer-substring-no-properties (point-min) (point-max)))
    (pcl-put 'server_pid (pcl-server-pid))
    (with-current-buffer (jsonrpc-events-buffer (eglot-current-server))
      (pcl-put 'events (buffer-substring-no-properties (point-min) (point-max))))))

(condition-case err
    (progn (pcl-run) (pcl-write-result) (kill-emacs 0))
  (error
   (pcl-put 'error (error-message-string err))
   (ignore-errors
     (when (eglot-current-server)
       (with-current-buffer (jsonrpc-events-buffer (eglot-current-server))
         (pcl-put 'events (buffer-substring-no-properties (point-min) (point-max))))))
   (pcl-write-result)
   (kill-emacs 3)))

;;; harness.el ends here
