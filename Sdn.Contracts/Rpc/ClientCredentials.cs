using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// What a client shows a controller and whom it trusts: a bearer token sent with every call, and the certificate
/// authorities a TLS controller's certificate must chain to (the system's when none are given).
/// </summary>
public sealed record ClientCredentials(string? Token, X509Certificate2Collection? TrustedAuthorities)
{
    public static ClientCredentials None { get; } = new(null, null);

    /// <summary>
    /// The credentials of <paramref name="holder"/> from an access token file and a PEM file of certificate
    /// authorities, either left out with null.
    /// </summary>
    /// <exception cref="AccessTokenFileException">The token file is unusable or has no token for the holder.</exception>
    /// <exception cref="CryptographicException">The authorities' file holds no PEM certificate; the message names it.</exception>
    public static ClientCredentials Load(string? tokenFile, string holder, string? authoritiesFile)
    {
        var token = tokenFile is null ? null : AccessTokenFile.Load(tokenFile).TokenOf(holder);
        return new ClientCredentials(token, authoritiesFile is null ? null : LoadAuthorities(authoritiesFile));
    }

    /// <summary>Validates a server certificate against <see cref="TrustedAuthorities"/> alone, its host name included.</summary>
    internal bool Trusts(X509Certificate2 certificate, SslPolicyErrors errors)
    {
        if (TrustedAuthorities is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedAuthorities);
        return chain.Build(certificate);
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CryptographicException($"{path}: {e.Message}", e);
        }

        return authorities.Count > 0 ? authorities : throw new CryptographicException($"{path}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    }
}
