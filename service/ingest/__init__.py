"""From files to graphs: programme texts and sheets imported, revisions, the validated load."""
