namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// Where an etcd cluster is, as `--store` gives it: <c>etcd://H1:2379,H2:2379,H3:2379</c>, one or more members'
/// client addresses (host or IP, and port), spoken to in plain HTTP/2.
/// </summary>
public sealed class EtcdAddress
{
    public const string Scheme = "etcd://";

    private EtcdAddress(IReadOnlyList<Uri> members, string text)
    {
        Members = members;
        Text = text;
    }

    /// <summary>Each member's client URL, http://HOST:PORT.</summary>
    public IReadOnlyList<Uri> Members { get; }

    /// <summary>The address as it was given.</summary>
    public string Text { get; }

    /// <summary>What dotnet-etcd takes: the members' URLs separated by commas.</summary>
    public string ConnectionString => string.Join(',', Members.Select(m => m.GetLeftPart(UriPartial.Authority)));

    /// <exception cref="FormatException">The text is not etcd://HOST:PORT[,HOST:PORT...]; the message says which part is wrong.</exception>
    public static EtcdAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not an etcd store: write etcd://HOST:PORT[,HOST:PORT...], such as etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379");
        }

        var members = new List<Uri>();
        foreach (var member in text[Scheme.Length..].Split(','))
        {
            if (!Uri.TryCreate($"http://{member}", UriKind.Absolute, out var uri)
                || uri.PathAndQuery != "/"
                || !string.IsNullOrEmpty(uri.UserInfo)
                || !member.Contains(':', StringComparison.Ordinal)
                || member.EndsWith(':'))
            {
                throw new FormatException($"'{member}' in {text} is not an etcd member's HOST:PORT, such as 10.0.0.1:2379");
            }

            members.Add(uri);
        }

        return new EtcdAddress(members, text);
    }

    public override string ToString() => Text;
}
