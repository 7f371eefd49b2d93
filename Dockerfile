# The silo image: built with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
# Build from the repository root:  docker build -t orleans-wallet/silo:0.1.0 .
# (Not built on the project's machines: they have no container engine. See README, Operations.)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so source edits do not invalidate the restore layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Grains/Ledger/Grains.Ledger.csproj Grains/Ledger/
COPY Streaming.Kafka/Streaming.Kafka.csproj Streaming.Kafka/
COPY Silo/Silo.csproj Silo/
COPY Client/Sdk/Protos/ Client/Sdk/Protos/
RUN dotnet restore Silo/Silo.csproj
COPY . .
RUN dotnet publish Silo/Silo.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# A fixed numeric user, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 wallet && useradd --system --uid 10001 --gid wallet --no-create-home wallet
COPY --from=build --chown=root:root /app ./
USER 10001:10001
# In a container the silo listens on every interface; the advertised address comes from the
# pod (POD_IP via Silo__AdvertisedIp) in Kubernetes.
ENV Silo__ListenIp=0.0.0.0 \
    Logging__Console__FormatterName=json \
    DOTNET_NOLOGO=1 \
    HOME=/tmp
# gRPC API, HTTP (health, metrics, dashboard), silo-to-silo, Orleans gateway.
EXPOSE 5000 8080 11111 30000
ENTRYPOINT ["dotnet", "OrleansWallet.Silo.dll"]
