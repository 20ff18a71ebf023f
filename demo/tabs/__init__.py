"""One module per tab: a class whose constructor builds the tab and wires its events to its handler methods."""
