using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>How one kind of model object is kept in etcd: its key segment, its encoding, and how a stored change lands in a state.</summary>
public interface IStoredKind
{
    /// <summary>The key segment of the kind: objects/SEGMENT/NAME.</summary>
    string Segment { get; }

    /// <summary>The kind as <see cref="ModelObject.Kind"/> names it.</summary>
    string Kind { get; }

    /// <summary>The object in protobuf's canonical JSON.</summary>
    ByteString Encode(ModelObject item);

    /// <exception cref="InvalidDataException">The value is not an object of this kind.</exception>
    ModelObject Decode(string key, ByteString value);
}
