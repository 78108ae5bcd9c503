import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DiscordSnowflake } from '@sapphire/snowflake';
import {
  InteractionContextType,
  InteractionResponseType,
  MessageFlags,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import {
  CallbackType,
  CommandLimits,
  ContextType,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DISCORD_EPOCH_MS,
  ErrorCode,
  ErrorMessage,
  INITIAL_RESPONSE_DEADLINE_MS,
  INTERACTION_TOKEN_LIFETIME_MS,
  MessageFlag,
  MessageLimits,
  Permission,
} from '../src/discord/facts.js';

/**
 * Bot, sandbox and tests all read Discord's numbers from src/discord/facts.ts, so a wrong number
 * there would be agreed on by all three. These tests hold it against independent witnesses:
 * discord-api-types, discord.js's snowflake library, Discord's OpenAPI spec and the platform notes.
 */
const spec = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../shared/discord-api-spec/openapi.json', import.meta.url)), 'utf8'),
) as { components: { schemas: Record<string, { properties: Record<string, Record<string, number>> }> } };
const schema = (name: string) => spec.components.schemas[name]!.properties;
const facts = readFileSync(fileURLToPath(new URL('../../shared/discord-facts.md', import.meta.url)), 'utf8');

describe("Discord's numbers", () => {
  it('every error code is the one discord-api-types names, and the literal the platform notes give', () => {
    expect(ErrorCode).toEqual({
      General: RESTJSONErrorCodes.GeneralError,
      UnknownApplication: RESTJSONErrorCodes.UnknownApplication,
      UnknownChannel: RESTJSONErrorCodes.UnknownChannel,
      UnknownGuild: RESTJSONErrorCodes.UnknownGuild,
      UnknownMessage: RESTJSONErrorCodes.UnknownMessage,
      UnknownWebhook: RESTJSONErrorCodes.UnknownWebhook,
      UnknownInteraction: RESTJSONErrorCodes.UnknownInteraction,
      UnknownApplicationCommand: RESTJSONErrorCodes.UnknownApplicationCommand,
      RequestEntityTooLarge: RESTJSONErrorCodes.RequestEntityTooLarge,
      InteractionAlreadyAcknowledged: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
      InvalidWebhookToken: RESTJSONErrorCodes.InvalidWebhookToken,
      InvalidFormBody: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
      InvalidJson: RESTJSONErrorCodes.RequestBodyContainsInvalidJSON,
      CannotSendEmptyMessage: RESTJSONErrorCodes.CannotSendAnEmptyMessage,
    });
    // The three the lessons are about, as the platform notes write them (code and message).
    for (const code of [
      ErrorCode.UnknownInteraction,
      ErrorCode.InteractionAlreadyAcknowledged,
      ErrorCode.InvalidWebhookToken,
    ]) {
      expect(facts).toContain(`"code":${code},"message":"${ErrorMessage[code]}"`);
    }
    expect(facts).toContain(
      `{"code":${ErrorCode.UnknownWebhook},"message":"${ErrorMessage[ErrorCode.UnknownWebhook]}"}`,
    );
  });

  it('flags, callback types and permission bits match discord-api-types', () => {
    expect(MessageFlag.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(MessageFlag.Loading).toBe(MessageFlags.Loading);
    expect(CallbackType).toEqual({
      Pong: InteractionResponseType.Pong,
      ChannelMessageWithSource: InteractionResponseType.ChannelMessageWithSource,
      DeferredChannelMessageWithSource: InteractionResponseType.DeferredChannelMessageWithSource,
      DeferredMessageUpdate: InteractionResponseType.DeferredMessageUpdate,
      UpdateMessage: InteractionResponseType.UpdateMessage,
      ApplicationCommandAutocompleteResult: InteractionResponseType.ApplicationCommandAutocompleteResult,
      Modal: InteractionResponseType.Modal,
    });
    expect(ContextType).toEqual({
      Guild: InteractionContextType.Guild,
      BotDm: InteractionContextType.BotDM,
      PrivateChannel: InteractionContextType.PrivateChannel,
    });
    expect(Permission).toEqual({
      ViewChannel: PermissionFlagsBits.ViewChannel,
      SendMessages: PermissionFlagsBits.SendMessages,
      EmbedLinks: PermissionFlagsBits.EmbedLinks,
      AttachFiles: PermissionFlagsBits.AttachFiles,
      ReadMessageHistory: PermissionFlagsBits.ReadMessageHistory,
      ManageGuild: PermissionFlagsBits.ManageGuild,
    });
  });

  it("deadlines, the epoch and the heartbeat are Discord's", () => {
    expect(DISCORD_EPOCH_MS).toBe(Number(DiscordSnowflake.epoch));
    expect(INITIAL_RESPONSE_DEADLINE_MS).toBe(3_000);
    expect(INTERACTION_TOKEN_LIFETIME_MS).toBe(15 * 60 * 1_000);
    expect(facts).toContain(`~${DEFAULT_HEARTBEAT_INTERVAL_MS} ms`);
  });

  it("message and command limits are the OpenAPI spec's", () => {
    const webhook = schema('IncomingWebhookRequestPartial');
    expect(MessageLimits.content).toBe(webhook.content!.maxLength);
    expect(MessageLimits.embeds).toBe(webhook.embeds!.maxItems);
    const embed = schema('RichEmbed');
    expect(MessageLimits.embedTitle).toBe(embed.title!.maxLength);
    expect(MessageLimits.embedDescription).toBe(embed.description!.maxLength);
    expect(MessageLimits.embedFields).toBe(embed.fields!.maxItems);
    const field = schema('RichEmbedField');
    expect(MessageLimits.fieldName).toBe(field.name!.maxLength);
    expect(MessageLimits.fieldValue).toBe(field.value!.maxLength);
    const button = schema('ButtonComponentForMessageRequest');
    expect(MessageLimits.customId).toBe(button.custom_id!.maxLength);
    expect(MessageLimits.buttonLabel).toBe(button.label!.maxLength);
    expect(MessageLimits.buttonsPerRow).toBe(
      schema('ActionRowComponentForMessageRequest').components!.maxItems,
    );
    const command = schema('ApplicationCommandCreateRequest');
    expect(CommandLimits.name).toBe(command.name!.maxLength);
    expect(CommandLimits.description).toBe(command.description!.maxLength);
    expect(CommandLimits.options).toBe(command.options!.maxItems);
  });
});
