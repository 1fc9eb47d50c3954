/**
 * What calls need from the spaces feature for voice channels (spec "POST /calls/channels/:channelId/join":
 * the channel must have type voice; the user needs space membership and VIEW_CHANNELS). The spaces
 * feature implements it and sets it at the composition root; until then no channel exists, so the
 * voice routes answer 404.
 */
export interface VoiceChannel {
  id: string;
  spaceId: string;
  /** The channel's type ('text', 'voice', ...). */
  type: string;
}

export interface VoiceChannelDirectory {
  channel(channelId: string): Promise<VoiceChannel | null>;
  /** Member of the channel's space with VIEW_CHANNELS on this channel (the owner always). */
  canView(userId: string, channel: VoiceChannel): Promise<boolean>;
}

export const noVoiceChannels: VoiceChannelDirectory = {
  channel: async () => null,
  canView: async () => false,
};
