namespace Sdn.Fabric.Controller.Topology;

/// <summary>One field whose value a plan changes: "cost 1 → 10".</summary>
/// <param name="Path">The field as the .proto names it, nested fields and map entries after a dot: "vm.params.count".</param>
internal sealed record FieldDifference(string Path, string From, string To)
{
    public override string ToString() => $"{Path} {From} → {To}";
}
