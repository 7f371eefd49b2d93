using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace OrleansWallet.Operations.Tests;

/// <summary>The chart as <c>helm template</c> renders it, one YAML mapping per Kubernetes object.</summary>
public sealed class RenderedChart
{
    public const string ReleaseName = "wallet";
    private static readonly TimeSpan HelmTimeout = TimeSpan.FromSeconds(60);

    private RenderedChart(IReadOnlyList<YamlMappingNode> objects) => Objects = objects;

    public IReadOnlyList<YamlMappingNode> Objects { get; }

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansWallet.sln")))
                directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static string ChartPath => Path.Combine(RepositoryRoot, "helm", "orleans-wallet");

    public static async Task<RenderedChart> RenderAsync(params string[] extraArguments)
    {
        var (exitCode, stdout, stderr) = await HelmAsync(["template", ReleaseName, ChartPath, "--namespace", "wallet", .. extraArguments]);
        if (exitCode != 0) throw new InvalidOperationException($"helm template failed ({exitCode}):\n{stderr}");
        var stream = new YamlStream();
        stream.Load(new StringReader(stdout));
        return new RenderedChart(stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList());
    }

    /// <summary>Runs the helm that scripts/install-helm.sh put in .data/tools (or one on PATH).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> HelmAsync(IEnumerable<string> arguments)
    {
        var local = Path.Combine(RepositoryRoot, ".data", "tools", "helm");
        var info = new ProcessStartInfo(File.Exists(local) ? local : "helm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("helm not found: run scripts/install-helm.sh (the test command does)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(HelmTimeout);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Str("kind") == kind);

    public YamlMappingNode Single(string kind) => Assert.Single(OfKind(kind));

    public YamlMappingNode Single(string kind, string name) =>
        Assert.Single(OfKind(kind), o => o.Map("metadata").Str("name") == name);
}

/// <summary>Navigation over YamlDotNet's nodes that fails with the path when something is missing.</summary>
public static class Yaml
{
    public static YamlMappingNode Map(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map
            ? map
            : throw new KeyNotFoundException($"no mapping '{key}'");

    public static YamlMappingNode? MapOrNull(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    public static YamlSequenceNode Seq(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode seq
            ? seq
            : throw new KeyNotFoundException($"no sequence '{key}'");

    public static string? Str(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (child as YamlScalarNode)?.Value : null;

    public static bool Has(this YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));

    public static IReadOnlyDictionary<string, string> Labels(this YamlMappingNode node) =>
        node.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);

    public static IEnumerable<YamlMappingNode> Maps(this YamlSequenceNode sequence) => sequence.Children.OfType<YamlMappingNode>();
}
