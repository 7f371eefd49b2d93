using OrleansWallet.Silo.Hosting;
using OrleansWallet.Silo.Observability;
using OrleansWallet.Silo.Security;

// Composition only: each concern's wiring lives in Hosting/ and Observability/. The content root
// is the binary's folder so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
// First: it completes the Redis/Postgres connection settings from their secrets before anything reads them.
builder.AddWalletSecurity();
builder.AddWalletLedger();
builder.AddWalletSilo();
builder.AddWalletApi();
builder.AddWalletOperations();

var app = builder.Build();
app.MapWalletApi();
app.MapWalletLedgerApi();
app.MapWalletOperations();
app.Run();
