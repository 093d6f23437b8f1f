using Sdn.Cli.Commands;

return SdnCommandLine.Build().Parse(args).Invoke();
