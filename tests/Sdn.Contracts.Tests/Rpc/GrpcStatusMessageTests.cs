using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

public class GrpcStatusMessageTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("naïve ☃", "na%C3%AFve %E2%98%83")]
    public void Percent_encodes_what_is_not_printable_ascii(string message, string header)
    {
        Assert.Equal(header, GrpcStatusMessage.Encode(message));
        Assert.Equal(message, GrpcStatusMessage.Decode(header));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz", "%zz")]
    [InlineData(null, "")]
    public void Keeps_malformed_escapes_as_they_are(string? header, string message) =>
        Assert.Equal(message, GrpcStatusMessage.Decode(header));
}
