using YamlDotNet.RepresentationModel;

namespace OrleansWallet.Operations.Tests;

/// <summary>
/// The chart rendered with its default values and with helm/values-production.yaml: the objects
/// reference each other correctly (HPA → Deployment, PDB and Services → the silo pods, RBAC → the
/// pods' service account, env → the Secret) and carry what the silo needs to run and stop well.
/// </summary>
public sealed class HelmChartTests
{
    private const string Fullname = "wallet-orleans-wallet";
    private static readonly string ProductionValues = Path.Combine(RenderedChart.RepositoryRoot, "helm", "values-production.yaml");

    public static TheoryData<string> ValueSets => new() { "default", "production" };

    private static Task<RenderedChart> RenderAsync(string values) =>
        values == "production" ? RenderedChart.RenderAsync("-f", ProductionValues) : RenderedChart.RenderAsync();

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task The_autoscaler_targets_the_deployment(string values)
    {
        var chart = await RenderAsync(values);
        var deployment = chart.Single("Deployment");
        var hpa = chart.Single("HorizontalPodAutoscaler");
        Assert.Equal("autoscaling/v2", hpa.Str("apiVersion"));
        var target = hpa.Map("spec").Map("scaleTargetRef");
        Assert.Equal("Deployment", target.Str("kind"));
        Assert.Equal("apps/v1", target.Str("apiVersion"));
        Assert.Equal(deployment.Map("metadata").Str("name"), target.Str("name"));
        var min = int.Parse(hpa.Map("spec").Str("minReplicas")!);
        var max = int.Parse(hpa.Map("spec").Str("maxReplicas")!);
        Assert.InRange(min, 2, max);
        // With an autoscaler the Deployment leaves the replica count to it.
        Assert.False(deployment.Map("spec").Has("replicas"));
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Selectors_of_the_budget_services_and_spread_match_the_silo_pods(string values)
    {
        var chart = await RenderAsync(values);
        var deployment = chart.Single("Deployment");
        var podLabels = PodTemplate(deployment).Map("metadata").Map("labels").Labels();
        AssertSelects(deployment.Map("spec").Map("selector").Map("matchLabels").Labels(), podLabels, "Deployment");

        var pdb = chart.Single("PodDisruptionBudget");
        Assert.Equal("policy/v1", pdb.Str("apiVersion"));
        AssertSelects(pdb.Map("spec").Map("selector").Map("matchLabels").Labels(), podLabels, "PodDisruptionBudget");
        Assert.True(pdb.Map("spec").Has("maxUnavailable") || pdb.Map("spec").Has("minAvailable"));

        foreach (var service in chart.OfKind("Service"))
            AssertSelects(service.Map("spec").Map("selector").Labels(), podLabels, service.Map("metadata").Str("name")!);

        var spread = PodTemplate(deployment).Map("spec").Seq("topologySpreadConstraints").Maps().ToList();
        Assert.Contains(spread, c => c.Str("topologyKey") == "topology.kubernetes.io/zone");
        Assert.Contains(spread, c => c.Str("topologyKey") == "kubernetes.io/hostname");
        foreach (var constraint in spread)
            AssertSelects(constraint.Map("labelSelector").Map("matchLabels").Labels(), podLabels, "topologySpreadConstraint");

        // Orleans' Kubernetes hosting finds its silos by these labels, equal to the ids it is given.
        var config = chart.Single("ConfigMap").Map("data");
        Assert.Equal(config.Str("ORLEANS_SERVICE_ID"), podLabels["orleans/serviceId"]);
        Assert.Equal(config.Str("ORLEANS_CLUSTER_ID"), podLabels["orleans/clusterId"]);
        Assert.Equal(config.Str("ORLEANS_CLUSTER_ID"), config.Str("Silo__ClusterId"));
    }

    [Fact]
    public async Task Probes_resources_and_graceful_stop_are_set_from_the_values()
    {
        var chart = await RenderAsync("default");
        var pod = PodTemplate(chart.Single("Deployment")).Map("spec");
        var silo = Assert.Single(pod.Seq("containers").Maps());
        var portNames = silo.Seq("ports").Maps().Select(p => p.Str("name")).ToHashSet();
        Assert.Superset(new HashSet<string?> { "grpc", "http", "silo", "gateway" }, portNames);

        Assert.Equal("/health/live", silo.Map("livenessProbe").Map("httpGet").Str("path"));
        Assert.Equal("/health/ready", silo.Map("readinessProbe").Map("httpGet").Str("path"));
        Assert.Equal("/health/live", silo.Map("startupProbe").Map("httpGet").Str("path"));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
            Assert.Contains(silo.Map(probe).Map("httpGet").Str("port"), portNames);

        // The operations guide's figures.
        var resources = silo.Map("resources");
        Assert.Equal("100m", resources.Map("requests").Str("cpu"));
        Assert.Equal("256Mi", resources.Map("requests").Str("memory"));
        Assert.Equal("500m", resources.Map("limits").Str("cpu"));
        Assert.Equal("512Mi", resources.Map("limits").Str("memory"));

        // preStop pause + the silo's own stop bound fit in the grace period.
        var grace = int.Parse(pod.Str("terminationGracePeriodSeconds")!);
        var preStop = silo.Map("lifecycle").Map("preStop").Map("exec").Seq("command").Children.Cast<YamlScalarNode>().Select(n => n.Value).ToList();
        Assert.Equal("sleep", preStop[0]);
        var shutdown = TimeSpan.Parse(chart.Single("ConfigMap").Map("data").Str("Silo__ShutdownTimeout")!);
        Assert.True(int.Parse(preStop[1]!) + shutdown.TotalSeconds < grace, "preStop + shutdown timeout must fit in the grace period");

        // Non-root, no privilege escalation.
        Assert.Equal("true", pod.Map("securityContext").Str("runAsNonRoot"));
        Assert.Equal("false", silo.Map("securityContext").Str("allowPrivilegeEscalation"));
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task The_silo_gets_its_pod_identity_settings_and_secrets(string values)
    {
        var chart = await RenderAsync(values);
        var deployment = chart.Single("Deployment");
        var pod = PodTemplate(deployment).Map("spec");
        var silo = Assert.Single(pod.Seq("containers").Maps());
        var env = silo.Seq("env").Maps().ToDictionary(e => e.Str("name")!);

        Assert.Equal("metadata.name", env["POD_NAME"].Map("valueFrom").Map("fieldRef").Str("fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Map("valueFrom").Map("fieldRef").Str("fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Map("valueFrom").Map("fieldRef").Str("fieldPath"));
        Assert.Equal("$(POD_IP)", env["Silo__AdvertisedIp"].Str("value"));

        var configMap = chart.Single("ConfigMap");
        Assert.Equal(configMap.Map("metadata").Str("name"),
            Assert.Single(silo.Seq("envFrom").Maps()).Map("configMapRef").Str("name"));
        var config = configMap.Map("data");
        foreach (var key in new[] { "Kafka__BootstrapServers", "Kafka__Topic", "Kafka__PartitionCount", "Silo__ListenIp", "Redis__ExpectedAppendFsync" })
            Assert.False(string.IsNullOrEmpty(config.Str(key)), key);
        Assert.Equal("always", config.Str("Redis__ExpectedAppendFsync"));
        // Off unless asked for: filling the dashboard's counters walks every activation each second.
        Assert.Equal("false", config.Str("Operations__DashboardCounters"));

        // Every credential comes from a Secret: the chart's own, or the existing one named in the values.
        var secretRefs = env.Values.Select(e => e.MapOrNull("valueFrom")?.MapOrNull("secretKeyRef")).OfType<YamlMappingNode>().ToList();
        Assert.Equal(["Redis__ConnectionString", "Ledger__Postgres__ConnectionString", "Ledger__Cache__RedisConfiguration", "Operations__Password"],
            env.Where(e => e.Value.MapOrNull("valueFrom")?.MapOrNull("secretKeyRef") is not null).Select(e => e.Key).ToArray());
        var secretName = values == "production" ? "orleans-wallet-prod" : $"{Fullname}-secrets";
        Assert.All(secretRefs, r => Assert.Equal(secretName, r.Str("name")));
        if (values == "default")
        {
            var secret = chart.Single("Secret", secretName).Map("stringData");
            Assert.All(secretRefs, r => Assert.True(secret.Has(r.Str("key")!), $"Secret has no key {r.Str("key")}"));
            Assert.False(string.IsNullOrEmpty(secret.Str("operations-password")), "a password is generated when none is given");
        }
        else
        {
            Assert.DoesNotContain(chart.OfKind("Secret"), s => s.Map("metadata").Str("name") == secretName);
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task The_pods_may_watch_pods_and_nothing_more(string values)
    {
        var chart = await RenderAsync(values);
        var serviceAccount = PodTemplate(chart.Single("Deployment")).Map("spec").Str("serviceAccountName");
        Assert.Equal(serviceAccount, chart.Single("ServiceAccount").Map("metadata").Str("name"));
        var rule = Assert.Single(chart.Single("Role").Seq("rules").Maps());
        Assert.Equal(["pods"], rule.Seq("resources").Children.Cast<YamlScalarNode>().Select(n => n.Value!).ToArray());
        var verbs = rule.Seq("verbs").Children.Cast<YamlScalarNode>().Select(n => n.Value!).ToList();
        Assert.Superset(new HashSet<string> { "get", "list", "watch" }, verbs.ToHashSet());
        Assert.Equal(values == "production", verbs.Contains("delete")); // only with deleteDefunctSiloPods
        var binding = chart.Single("RoleBinding");
        Assert.Equal(chart.Single("Role").Map("metadata").Str("name"), binding.Map("roleRef").Str("name"));
        Assert.Equal(serviceAccount, Assert.Single(binding.Seq("subjects").Maps()).Str("name"));
    }

    [Fact]
    public async Task Production_values_scrape_metrics_from_the_internal_service_with_credentials()
    {
        var chart = await RenderAsync("production");
        var monitor = chart.Single("ServiceMonitor");
        var selector = monitor.Map("spec").Map("selector").Map("matchLabels").Labels();
        var scraped = Assert.Single(chart.OfKind("Service"), s => selector.All(l =>
            s.Map("metadata").Map("labels").Labels().TryGetValue(l.Key, out var v) && v == l.Value));
        Assert.Equal($"{Fullname}-internal", scraped.Map("metadata").Str("name"));
        var endpoint = Assert.Single(monitor.Map("spec").Seq("endpoints").Maps());
        Assert.Equal("/metrics", endpoint.Str("path"));
        Assert.Contains(endpoint.Str("port"), scraped.Map("spec").Seq("ports").Maps().Select(p => p.Str("name")));
        Assert.Equal("orleans-wallet-prod", endpoint.Map("basicAuth").Map("password").Str("name"));
        Assert.Equal("registry.example.com/orleans-wallet/silo:0.1.0",
            Assert.Single(PodTemplate(chart.Single("Deployment")).Map("spec").Seq("containers").Maps()).Str("image"));
    }

    [Fact]
    public async Task Bad_values_are_refused_by_the_schema()
    {
        var (exitCode, _, stderr) = await RenderedChart.HelmAsync(
            ["template", RenderedChart.ReleaseName, RenderedChart.ChartPath, "--set", "operations.listener=Public"]);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("listener", stderr);
        (exitCode, _, stderr) = await RenderedChart.HelmAsync(
            ["template", RenderedChart.ReleaseName, RenderedChart.ChartPath, "--set", "serviceMonitor.enabled=true", "--set", "operations.listener=Internal"]);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("serviceMonitor", stderr);
    }

    private static YamlMappingNode PodTemplate(YamlMappingNode deployment) => deployment.Map("spec").Map("template");

    private static void AssertSelects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> podLabels, string what)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
            Assert.True(podLabels.TryGetValue(key, out var actual) && actual == value, $"{what} selects {key}={value}, which the silo pods lack");
    }
}
