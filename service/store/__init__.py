"""Where the data lives: the Store protocol, the embedded pyoxigraph store, remote SPARQL stores."""
