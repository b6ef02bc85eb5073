"""`python -m service` is the `kzs` command."""

from service.cli import main

main()
