using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3_000)]
    [InlineData("250m", 250)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2)]
    [InlineData("99999999m", 99_999_999)]
    public void Parses_every_unit(string header, double milliseconds)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    public void Rejects_malformed_values(string? header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Theory]
    [InlineData(0.5, "500000n")]
    [InlineData(250, "250000u")]
    [InlineData(100_000, "100000m")]
    public void Formats_in_the_finest_unit_that_fits(double milliseconds, string expected)
    {
        var header = GrpcTimeout.Format(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, header);
    }

    [Fact]
    public void Never_formats_more_than_eight_digits()
    {
        foreach (var timeout in new[] { TimeSpan.FromDays(400), TimeSpan.FromMinutes(7), TimeSpan.FromTicks(1), TimeSpan.Zero, TimeSpan.FromHours(-1) })
        {
            var header = GrpcTimeout.Format(timeout);
            Assert.True(GrpcTimeout.TryParse(header, out var back), header);
            Assert.True(back >= (timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout), header);
        }
    }
}
