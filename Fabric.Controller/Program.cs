using Sdn.Fabric.Controller.Cli;

return SdnCommandLine.Build().Parse(args).Invoke();
