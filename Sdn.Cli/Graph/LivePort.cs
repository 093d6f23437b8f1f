namespace Sdn.Cli.Graph;

/// <summary>One node's interface and the packets per second it received and sent.</summary>
internal sealed record LivePort(string Node, string Port, double RxPps, double TxPps);
