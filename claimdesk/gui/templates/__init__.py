"""Tools ▸ Letter templates: the dialog (editor.py), the paragraph view an office rewords
letters in (plain_view.py), the template code view (advanced_view.py), the preview
(preview.py) and the letterhead form (letterhead_form.py)."""
