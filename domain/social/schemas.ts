/** The input schemas routes validate with (one import for http/routes). */
export {
  CreatePostFields,
  PatchPostInput,
  RepostInput,
  CommentInput,
  ShareToChannelInput,
  ShareToDmInput,
  FeedQuery,
  PostsQuery,
  CommentsQuery,
  SearchQuery,
  MAX_POST_FILES,
} from './posts.schema.ts';
export { FollowListQuery } from './follows.schema.ts';
export { emoji } from './params.ts';
