from ptrack.launch import main

main()
