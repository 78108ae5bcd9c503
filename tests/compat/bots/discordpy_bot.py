"""
A plain discord.py 2.2 bot (Debian's python3-discord) for the compatibility matrix.

Pointed at the LoopLab sandbox with two settings, and nothing else changed:
  discord.http.Route.BASE                        the REST base, e.g. http://127.0.0.1:PORT/api/v10
  discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY   the gateway, e.g. yarl.URL('ws://127.0.0.1:PORT/gateway')

Environment: SANDBOX_API_URL (…/api/v10), SANDBOX_GATEWAY_URL, SANDBOX_BOT_TOKEN, SANDBOX_GUILD_ID.
The scenario (the same for every library in tests/compat/): /block holds the loop for 4 s with
time.sleep() inside `async def` (the classic mistake), so its reply comes too late and Discord refuses
it (10062); /defer defers then follows up; /secret answers ephemerally; /buttons sends a button
whose press edits the message.
"""

import asyncio
import os
import time

import discord
import yarl
from discord import app_commands

LIBRARY = f'discord.py {discord.__version__}'

# The two settings (discord.py has no option for another API base; these are its class attributes).
discord.http.Route.BASE = os.environ['SANDBOX_API_URL']
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ['SANDBOX_GATEWAY_URL'])

GUILD = discord.Object(id=int(os.environ['SANDBOX_GUILD_ID']))


class Press(discord.ui.View):
    """A persistent view: its button works on any message that carries it."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label='Press me', custom_id='press', style=discord.ButtonStyle.primary)
    async def press(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f'pressed by {interaction.user.name}', view=None)


class CompatBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.add_view(Press())
        self.tree.copy_global_to(guild=GUILD)
        await self.tree.sync(guild=GUILD)


client = CompatBot()


@client.tree.command(name='block', description='holds the event loop for 4 s, then replies (too late)')
async def block(interaction: discord.Interaction) -> None:
    time.sleep(4)  # the classic mistake: a synchronous sleep inside `async def` blocks the whole loop
    try:
        await interaction.response.send_message('done, 4 s later')
    except discord.NotFound as error:  # 10062 Unknown interaction: the 3 s had passed
        channel = client.get_channel(interaction.channel_id) or await client.fetch_channel(interaction.channel_id)
        await channel.send(f'{LIBRARY}: late reply refused: {error.code}')


@client.tree.command(name='defer', description='defers, then follows up')
async def defer(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.2)
    await interaction.followup.send(f'follow-up from {LIBRARY}')


@client.tree.command(name='secret', description='answers only you')
async def secret(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(f'only you can see this ({LIBRARY})', ephemeral=True)


@client.tree.command(name='buttons', description='sends a button')
async def buttons(interaction: discord.Interaction) -> None:
    await interaction.response.send_message('press the button', view=Press())


@client.event
async def on_ready() -> None:
    print(f'{LIBRARY} ready as {client.user}', flush=True)


client.run(os.environ['SANDBOX_BOT_TOKEN'])
