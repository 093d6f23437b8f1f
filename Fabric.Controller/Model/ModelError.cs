namespace Sdn.Fabric.Controller.Model;

/// <summary>Why the model refused a request; each maps onto the gRPC status of the same name.</summary>
public enum ModelError
{
    /// <summary>The request itself is malformed: a bad name, CIDR, MAC or range.</summary>
    InvalidArgument,

    /// <summary>The object, or one it refers to, does not exist.</summary>
    NotFound,

    /// <summary>An object with the same name, MAC, IP or rule already exists.</summary>
    AlreadyExists,

    /// <summary>The request is well formed but the current state forbids it: the object is in use, a subnet overlaps, a pool is empty.</summary>
    FailedPrecondition,
}
