using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Tests.Hosting;

/// <summary>Who may talk to a controller: tokens for the API and for each node's agent, TLS, and the guard on addresses other hosts reach.</summary>
public sealed class ControllerAccessTests : IDisposable
{
    private const string OperatorToken = "operator-token-0123456789";
    private const string E1Token = "node-e1-token-0123456789";
    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"sdn-tokens-{Guid.NewGuid():N}");
    private readonly TestCertificates _certificates = new();

    public ControllerAccessTests()
    {
        File.WriteAllText(_tokenFile, $"operator {OperatorToken}\nnode:e1 {E1Token}\n");
    }

    public void Dispose()
    {
        File.Delete(_tokenFile);
        _certificates.Dispose();
    }

    [Fact]
    public async Task The_api_needs_the_operators_token_and_health_needs_none()
    {
        await using var server = await StartAsync(new ControllerAccess(Tokens: AccessTokenFile.Load(_tokenFile)));

        var none = await StatusOfGetStateAsync(server.Address, ClientCredentials.None);
        var wrong = await StatusOfGetStateAsync(server.Address, new ClientCredentials("not-a-token-of-this-controller", null));
        var node = await StatusOfGetStateAsync(server.Address, new ClientCredentials(E1Token, null));
        var operatorAnswer = await StatusOfGetStateAsync(server.Address, new ClientCredentials(OperatorToken, null));
        using var channel = RpcChannels.ForAddress(server.Address);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal((StatusCode.Unauthenticated, StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.OK), (none, wrong, node, operatorAnswer));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task An_agent_connects_only_as_the_node_its_token_names()
    {
        await using var server = await StartAsync(new ControllerAccess(Tokens: AccessTokenFile.Load(_tokenFile)));
        server.Model.Create(ResourceKinds.Edges, new EdgeNode { Name = "e1" });
        server.Model.Create(ResourceKinds.Edges, new EdgeNode { Name = "e2" });

        var asItself = await FirstAnswerAsync(server.Address, E1Token, "e1");
        var asAnother = await FirstAnswerAsync(server.Address, E1Token, "e2");
        var asOperator = await FirstAnswerAsync(server.Address, OperatorToken, "e1");

        Assert.Equal(StatusCode.OK, asItself);
        Assert.Equal(StatusCode.PermissionDenied, asAnother);
        Assert.Equal(StatusCode.PermissionDenied, asOperator);
    }

    [Fact]
    public async Task Tls_is_served_and_a_client_trusts_it_through_the_given_authority_only()
    {
        var certificate = ControllerAccess.LoadCertificate(_certificates.CertificateFile, _certificates.KeyFile);
        await using var server = await StartAsync(new ControllerAccess(Certificate: certificate));

        var trusting = await StatusOfGetStateAsync(server.Address, ClientCredentials.Load(null, AccessTokenFile.Operator, _certificates.AuthorityFile));
        var system = await GetStateAsync(server.Address, ClientCredentials.None);
        var otherName = await GetStateAsync(new UriBuilder(server.Address) { Host = "localhost" }.Uri, ClientCredentials.Load(null, AccessTokenFile.Operator, _certificates.AuthorityFile));

        Assert.Equal(Uri.UriSchemeHttps, server.Address.Scheme);
        Assert.Equal(StatusCode.OK, trusting);
        Assert.NotEqual(StatusCode.OK, system.StatusCode);
        Assert.Contains("The SSL connection could not be established", system.Detail, StringComparison.Ordinal);
        Assert.Contains("The SSL connection could not be established", otherName.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_other_hosts_reach_needs_tokens_tls_or_insecure()
    {
        var anyAddress = new IPEndPoint(IPAddress.Any, 0);

        var refused = await Assert.ThrowsAsync<HostingException>(() => StartAsync(ControllerAccess.Open, anyAddress));
        await using var insecure = await StartAsync(new ControllerAccess(Insecure: true), anyAddress);
        await using var tokens = await StartAsync(new ControllerAccess(Tokens: AccessTokenFile.Load(_tokenFile)), anyAddress);

        Assert.StartsWith("refusing to serve on 0.0.0.0:0 with neither tokens nor TLS", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_that_is_no_certificate_is_named()
    {
        var refused = Assert.Throws<HostingException>(() => ControllerAccess.LoadCertificate(_tokenFile, _certificates.KeyFile));

        Assert.StartsWith($"{_tokenFile} and {_certificates.KeyFile} are no PEM certificate and its private key", refused.Message, StringComparison.Ordinal);
    }

    private static Task<ControllerServer> StartAsync(ControllerAccess access, IPEndPoint? endpoint = null) =>
        ControllerServer.StartAsync(endpoint ?? new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null), access: access);

    private static async Task<StatusCode> StatusOfGetStateAsync(Uri address, ClientCredentials credentials) => (await GetStateAsync(address, credentials)).StatusCode;

    private static async Task<Status> GetStateAsync(Uri address, ClientCredentials credentials)
    {
        using var channel = RpcChannels.ForAddress(address, credentials: credentials);
        try
        {
            await new Controller.ControllerClient(channel).GetStateAsync(new GetStateRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    /// <summary>Opens an agent stream as <paramref name="node"/>: OK when the controller sends the node its program, else the status that ended the stream.</summary>
    private static async Task<StatusCode> FirstAnswerAsync(Uri address, string token, string node)
    {
        using var channel = RpcChannels.ForAddress(address, credentials: new ClientCredentials(token, null));
        using var call = new Agent.AgentClient(channel).Connect(deadline: DateTime.UtcNow.AddSeconds(10));
        try
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = new Hello { NodeName = node, Role = NodeRole.Edge } });
            return await call.ResponseStream.MoveNext() && call.ResponseStream.Current.Batch is not null ? StatusCode.OK : StatusCode.Unknown;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
