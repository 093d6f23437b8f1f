using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Who may reach a controller, and how: the tokens it takes (none: anyone who reaches it), the certificate it serves
/// TLS with (none: HTTP/2 without TLS), and whether it may serve other hosts with neither.
/// </summary>
internal sealed record ControllerAccess(AccessTokenFile? Tokens = null, X509Certificate2? Certificate = null, bool Insecure = false)
{
    /// <summary>No tokens, no TLS: for loopback, as the embedded `sdn up` serves.</summary>
    public static ControllerAccess Open { get; } = new();

    /// <summary>The certificate and private key of two PEM files.</summary>
    /// <exception cref="HostingException">Either file cannot be read, or they do not make a certificate with its key; the message names them.</exception>
    public static X509Certificate2 LoadCertificate(string certificateFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new HostingException($"{certificateFile} and {keyFile} are no PEM certificate and its private key: {e.Message}", e);
        }
    }

    /// <exception cref="HostingException">The endpoint reaches beyond this host, and neither tokens nor TLS guard it, nor was it asked to serve insecurely.</exception>
    public void CheckListen(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!IPAddress.IsLoopback(endpoint.Address) && Tokens is null && Certificate is null && !Insecure)
        {
            throw new HostingException(
                $"refusing to serve on {endpoint} with neither tokens nor TLS: anyone who reaches it could rewrite the fabric. " +
                "Give --token-file FILE, or --tls-cert FILE --tls-key FILE, or both; or --insecure to serve it open on a network you trust");
        }
    }
}
