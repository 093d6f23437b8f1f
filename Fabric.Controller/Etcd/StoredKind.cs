using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>An <see cref="IStoredKind"/> over the model's own <see cref="ResourceKind{T}"/>.</summary>
public sealed class StoredKind<T> : IStoredKind
    where T : class, IMessage<T>, new()
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private readonly ResourceKind<T> _kind;

    public StoredKind(string segment, ResourceKind<T> kind)
    {
        Segment = segment;
        _kind = kind;
    }

    public string Segment { get; }

    public string Kind => _kind.Kind;

    public ByteString Encode(ModelObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return ByteString.CopyFromUtf8(JsonFormatter.Default.Format(item.Message));
    }

    public ModelObject Decode(string key, ByteString value)
    {
        ArgumentNullException.ThrowIfNull(value);
        try
        {
            return ModelObject.Of(_kind, Parser.Parse<T>(value.ToStringUtf8()));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new InvalidDataException($"etcd key {key} does not hold a {_kind.Kind} ({e.Message}); put back the object a controller wrote there, or delete the key", e);
        }
    }
}
