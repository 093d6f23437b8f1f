using Sdn.Contracts;

namespace Sdn.Testing;

/// <summary>Compares desired states by what they hold.</summary>
public static class FabricStates
{
    /// <summary>
    /// The state without its version, every kind's objects in name order: re-creating an object moves it to the end of
    /// its list, and bumps the version, without changing what the state holds.
    /// </summary>
    public static FabricState Canonical(FabricState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new FabricState
        {
            Tenants = { state.Tenants.OrderBy(t => t.Name, StringComparer.Ordinal) },
            Networks = { state.Networks.OrderBy(n => n.Name, StringComparer.Ordinal) },
            Ports = { state.Ports.OrderBy(p => p.Name, StringComparer.Ordinal) },
            AclRules = { state.AclRules.OrderBy(r => r.Name, StringComparer.Ordinal) },
            Edges = { state.Edges.OrderBy(e => e.Name, StringComparer.Ordinal) },
            CoreNodes = { state.CoreNodes.OrderBy(c => c.Name, StringComparer.Ordinal) },
            Links = { state.Links.OrderBy(l => l.Name, StringComparer.Ordinal) },
            Externals = { state.Externals.OrderBy(e => e.Name, StringComparer.Ordinal) },
        };
    }
}
