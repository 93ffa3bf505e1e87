from ptrack.cli import main

main()
