namespace OrleansWallet.Cli.Tests;

public sealed class ProcessSamplerTests
{
    [Fact]
    public void Cpu_ticks_are_utime_plus_stime_even_with_spaces_and_parentheses_in_the_name()
    {
        const string stat = "4242 (dotnet (silo) x) S 1 4242 4242 0 -1 4194560 9000 0 5 0 1234 567 0 0 20 0 40 0 100 200000000 60000 18446744073709551615";
        Assert.True(ProcessSampler.TryParseStatCpuTicks(stat, out var ticks));
        Assert.Equal(1234 + 567, ticks);
        Assert.False(ProcessSampler.TryParseStatCpuTicks("garbage", out _));
    }

    [Fact]
    public void Reads_its_own_process_from_proc()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(ProcessSampler.TryReadProc(Environment.ProcessId, out var sample));
        Assert.True(sample.RssBytes > 1_000_000);
        Assert.True(sample.CpuSeconds >= 0);
        Assert.False(ProcessSampler.TryReadProc(int.MaxValue, out _));
    }

    [Fact]
    public void Listening_sockets_are_read_from_proc_net_tcp()
    {
        const string listen = "   3: 0100007F:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0";
        Assert.True(ProcessSampler.TryParseListeningSocket(listen, out var port, out var inode));
        Assert.Equal(5001, port);
        Assert.Equal("123456", inode);
        const string established = "   4: 0100007F:1389 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 123457 1 0000000000000000 20 4 30 10 -1";
        Assert.False(ProcessSampler.TryParseListeningSocket(established, out _, out _));
    }

    [Fact]
    public async Task Finds_the_process_listening_on_a_loopback_port()
    {
        if (!OperatingSystem.IsLinux()) return;
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var pids = ProcessSampler.DiscoverListeningPids([new Uri($"http://127.0.0.1:{port}")]);
            Assert.Equal([Environment.ProcessId], pids);
            Assert.Empty(ProcessSampler.DiscoverListeningPids([new Uri($"http://example.invalid:{port}")]));
        }
        finally
        {
            listener.Stop();
        }
        await Task.CompletedTask;
    }

    [Fact]
    public void Prometheus_process_metrics_are_parsed()
    {
        const string text = """
            # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
            # TYPE process_cpu_seconds_total counter
            process_cpu_seconds_total 12.5
            process_cpu_seconds_total_other 99
            process_resident_memory_bytes 3.2505856E+08
            """;
        var sample = ProcessSampler.ParsePrometheus(text, "http://silo:8081/metrics");
        Assert.NotNull(sample);
        Assert.Equal(12.5, sample!.CpuSeconds);
        Assert.Equal(325_058_560, sample.RssBytes);
        Assert.Null(ProcessSampler.ParsePrometheus("up 1\n", "x"));
    }

    [Fact]
    public async Task Scrapes_a_metrics_url_with_basic_credentials_from_the_url()
    {
        var port = FreePort.Next();
        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:s3cret"));
        var serving = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var context = await listener.GetContextAsync();
                var authorized = context.Request.Headers["Authorization"] == expected;
                context.Response.StatusCode = authorized ? 200 : 401;
                if (authorized)
                {
                    var body = System.Text.Encoding.UTF8.GetBytes("process_cpu_seconds_total 3.25\nprocess_resident_memory_bytes 104857600\n");
                    await context.Response.OutputStream.WriteAsync(body);
                }
                context.Response.Close();
            }
        });

        using var withCredentials = new ProcessSampler([], [new Uri($"http://ops:s3cret@127.0.0.1:{port}/metrics")]);
        var sample = Assert.Single(await withCredentials.SampleAsync());
        Assert.Equal(3.25, sample.CpuSeconds);
        Assert.Equal(104_857_600, sample.RssBytes);
        Assert.DoesNotContain("s3cret", sample.Source);

        using var without = new ProcessSampler([], [new Uri($"http://127.0.0.1:{port}/metrics")]);
        Assert.Empty(await without.SampleAsync());   // 401: no figure rather than a wrong one
        await serving;
    }
}
