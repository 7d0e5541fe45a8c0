"""Sub-commands of the ``flambeau`` CLI, one module each (see ``flambeau.cli``)."""
