using Sdn.Cli.Commands;
using Sdn.Cli.Hosting;

EagerTiering.ApplyFor(args);
return SdnCommandLine.Build().Parse(args).Invoke();
