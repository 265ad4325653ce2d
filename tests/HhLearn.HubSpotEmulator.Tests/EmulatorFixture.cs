using System.Net.Http.Headers;
using System.Text;

namespace HhLearn.HubSpotEmulator.Tests;

/// <summary>An emulator on 127.0.0.1 and a raw HttpClient: these tests speak HubSpot's wire format directly.</summary>
internal sealed class EmulatorFixture : IAsyncDisposable
{
    public const string Token = "emu-token";

    private EmulatorFixture(HubSpotEmulator emulator)
    {
        Emulator = emulator;
        Http = new HttpClient { BaseAddress = emulator.BaseUrl };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public HubSpotEmulator Emulator { get; }
    public HttpClient Http { get; }

    public static async Task<EmulatorFixture> StartAsync(EmulatorOptions? options = null, TimeProvider? time = null) =>
        new(await HubSpotEmulator.StartAsync((options ?? new EmulatorOptions()) with { Token = Token }, time: time));

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public async Task<string> CreateAsync(string email)
    {
        var (status, body, _) = await PostAsync("crm/v3/objects/contacts", $$$"""{"properties":{"email":"{{{email}}}"}}""");
        Assert.Equal(201, status);
        return (string)body!["id"]!;
    }

    /// <summary>The values of the contact whose primary email is <paramref name="email"/>, or null.</summary>
    public IReadOnlyDictionary<string, string>? Contact(string email) =>
        Emulator.Store.AllContacts().Select(c => c.Properties).FirstOrDefault(p => string.Equals(p.GetValueOrDefault("email"), email, StringComparison.OrdinalIgnoreCase));

    public async Task DefinePropertyAsync(string name, string type, string fieldType)
    {
        await PostAsync("crm/v3/properties/contacts/groups", """{"name":"learning_milestones","label":"Learning Milestones"}""");
        var (status, _, _) = await PostAsync("crm/v3/properties/contacts",
            $$$"""{"name":"{{{name}}}","label":"{{{name}}}","type":"{{{type}}}","fieldType":"{{{fieldType}}}","groupName":"learning_milestones"}""");
        Assert.Equal(201, status);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}
