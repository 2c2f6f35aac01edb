using FormerSearch.Cli;

// `former`: the FormerSearch command line. FormerCommand assembles the sub-commands (Commands/); CommandRunner parses,
// runs and maps failures to exit codes (ExitCodes: 2 bad input, 1 failure, 70 internal error).
return CommandRunner.Run(FormerCommand.Create(), args, Console.Error);
