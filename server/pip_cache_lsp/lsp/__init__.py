"""The language-server adapter: LSP in, core calls, LSP out.  No rule logic lives here."""
