namespace Sdn.Fabric.Controller.Model;

/// <summary>One instance of each kind of object the model holds.</summary>
public static class ResourceKinds
{
    public static readonly Tenants Tenants = new();
    public static readonly Networks Networks = new();
    public static readonly Ports Ports = new();
    public static readonly AclRules AclRules = new();
    public static readonly Edges Edges = new();
    public static readonly CoreNodes CoreNodes = new();
    public static readonly Links Links = new();
    public static readonly ExternalNetworks ExternalNetworks = new();
}
