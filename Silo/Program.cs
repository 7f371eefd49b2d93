using OrleansWallet.Silo.Hosting;

// Composition only: each concern's wiring lives in Hosting/. The content root is the binary's
// folder so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddWalletLedger();
builder.AddWalletSilo();
builder.AddWalletApi();

var app = builder.Build();
app.MapWalletApi();
app.MapWalletLedgerApi();
app.Run();
