using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Tests.Northbound;

namespace Sdn.Fabric.Controller.Tests.Interop;

/// <summary>The controller answers a gRPC client that nobody here wrote: Debian's python3-grpcio.</summary>
public class GrpcioInteropTests
{
    /// <summary>Debian's interpreter, where python3-grpcio lives, not whatever python3 comes first on PATH.</summary>
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task Python_grpcio_gets_replies_and_status_codes_from_the_controller_north_and_south()
    {
        await using var host = await ControllerHostFixture.StartAsync();
        var descriptors = Path.Combine(host.StateDirectory, "sdn.protoset");
        Directory.CreateDirectory(host.StateDirectory);
        File.WriteAllBytes(descriptors, DescriptorSet(ControllerReflection.Descriptor, AgentReflection.Descriptor).ToByteArray());
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "grpcio_client.py");

        using var python = Process.Start(new ProcessStartInfo(Python, [script, $"127.0.0.1:{host.Server.Address.Port}", descriptors])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(python.ExitCode == 0, $"grpcio client failed:\n{await output}\n{await errors}");
        Assert.Contains("all checks passed", await output, StringComparison.Ordinal);
    }

    /// <summary>The files and every file they import, dependencies first, as protoc's --descriptor_set_out writes them.</summary>
    private static FileDescriptorSet DescriptorSet(params FileDescriptor[] roots)
    {
        var ordered = new List<FileDescriptor>();
        void Visit(FileDescriptor file)
        {
            if (ordered.Contains(file))
            {
                return;
            }

            foreach (var dependency in file.Dependencies)
            {
                Visit(dependency);
            }

            ordered.Add(file);
        }

        foreach (var root in roots)
        {
            Visit(root);
        }

        var set = new FileDescriptorSet();
        set.File.AddRange(ordered.Select(f => FileDescriptorProto.Parser.ParseFrom(f.SerializedData)));
        return set;
    }
}
