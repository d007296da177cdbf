from specql_deploy.automation.cli import main

main()
