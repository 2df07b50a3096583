return Certify.Cli.CliApp.Run(args);
