<?php
/**
 * Test WordPress helper: runs a batch of operations through WordPress's own PHP API.
 *
 * Run with the php CLI and WORDPRESS_CONFIG set to the harness's config name; reads a
 * JSON list of {"op": ..., ...} from stdin, prints {"results": [...]} as JSON. There is
 * no wp-cli on the test machines, so this is the harness's only way to write content.
 */

// Debian's wp-config.php picks its config file from the Host header or WORDPRESS_CONFIG.
$_SERVER['HTTP_HOST'] = getenv('PALIMPSEST_WP_HOST') ?: '127.0.0.1';
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '80';
$_SERVER['REQUEST_METHOD'] = 'GET';

$ops = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
if ($ops && $ops[0]['op'] === 'install') {
    define('WP_INSTALLING', true);  // lets wp-load run before the tables exist
}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';

// One transaction per batch: MariaDB syncs its log at every autocommit, which made a
// seed of a hundred comments take seconds; and a failed batch now leaves nothing behind.
$wpdb->query('SET autocommit = 0');

/** Local site time for a UTC 'Y-m-d H:i:s', as WordPress stores it beside the GMT one. */
function palimpsest_local(string $gmt): string {
    return get_date_from_gmt($gmt, 'Y-m-d H:i:s');
}

function palimpsest_fail(string $msg): void {
    fwrite(STDERR, $msg . "\n");
    exit(3);
}

function palimpsest_check($value, string $what) {
    if (is_wp_error($value)) {
        palimpsest_fail($what . ': ' . $value->get_error_message());
    }
    if (!$value) {
        palimpsest_fail($what . ' failed');
    }
    return $value;
}

/** What a reader sees of a comment: the comment_text filters, as the theme runs them. */
function palimpsest_comment_view(int $id): array {
    $c = get_comment($id);
    return [
        'id' => (int) $c->comment_ID,
        'content' => $c->comment_content,
        'rendered' => apply_filters('comment_text', get_comment_text($c), $c, []),
        'author' => $c->comment_author,
        'author_url' => $c->comment_author_url,
        'date_gmt' => $c->comment_date_gmt,
        'date' => $c->comment_date,
        'parent' => (int) $c->comment_parent,
        'post_id' => (int) $c->comment_post_ID,
        'status' => wp_get_comment_status($c),
    ];
}

function palimpsest_post_view(int $id): array {
    $p = get_post($id);
    return [
        'id' => $p->ID,
        'url' => get_permalink($p),
        'slug' => $p->post_name,
        'rendered' => apply_filters('the_content', $p->post_content),
        'date_gmt' => $p->post_date_gmt,
        'modified_gmt' => $p->post_modified_gmt,
        'status' => $p->post_status,
    ];
}

/** Insert a comment the way a submitted one is stored (kses, rel=ugc), at a fixed time. */
function palimpsest_insert_comment(array $c): int {
    // wp_filter_comment and wp_insert_comment both work on slashed data, as from a form.
    $data = wp_filter_comment(wp_slash([
        'comment_post_ID' => (int) $c['post_id'],
        'comment_author' => $c['author'],
        'comment_author_email' => $c['email'] ?? '',
        'comment_author_url' => $c['url'] ?? '',
        'comment_content' => $c['content'],
        'comment_parent' => (int) ($c['parent'] ?? 0),
        'comment_type' => 'comment',
        'user_id' => 0,
        'comment_author_IP' => '127.0.0.1',
        'comment_agent' => 'palimpsest-test-harness',
    ]));
    $data['comment_date_gmt'] = $c['date_gmt'];
    $data['comment_date'] = palimpsest_local($c['date_gmt']);
    $data['comment_approved'] = 1;
    return palimpsest_check(wp_insert_comment($data), 'insert comment');
}

function palimpsest_insert_post(array $p): int {
    $cats = [];
    foreach ($p['categories'] ?? [] as $name) {
        $cats[] = (int) palimpsest_check(wp_create_category($name), "category $name");
    }
    $user = get_user_by('login', $p['author_login']);
    if (!$user) palimpsest_fail('unknown author ' . $p['author_login']);
    $args = [
        'post_title' => $p['title'],
        'post_name' => $p['slug'] ?? '',
        'post_content' => $p['content'],
        'post_status' => 'publish',
        'post_type' => 'post',
        'post_author' => $user->ID,
        'post_date_gmt' => $p['date_gmt'],
        'post_date' => palimpsest_local($p['date_gmt']),
        'post_category' => $cats ?: [get_option('default_category')],
        'tags_input' => $p['tags'] ?? [],
        'comment_status' => 'open',
    ];
    return palimpsest_check(wp_insert_post(wp_slash($args), true), 'insert post ' . $p['title']);
}

/** Ids assigned in this batch, by the seed's keys, so later ops can refer to earlier ones. */
$palimpsest_keys = ['post' => [], 'comment' => []];

/** Resolve '{{comment:KEY}}' / '{{post:KEY}}' in text to WordPress ids assigned earlier. */
function palimpsest_refs(string $text): string {
    global $palimpsest_keys;
    return preg_replace_callback('/\{\{(comment|post):([^}]+)\}\}/', function ($m) use ($palimpsest_keys) {
        if (!isset($palimpsest_keys[$m[1]][$m[2]])) palimpsest_fail("unknown {$m[1]} key {$m[2]}");
        return (string) $palimpsest_keys[$m[1]][$m[2]];
    }, $text);
}

function palimpsest_run(array $op) {
    global $palimpsest_keys;
    foreach (['post_id' => 'post', 'parent' => 'comment'] as $field => $kind) {
        if (isset($op[$field]) && is_string($op[$field]) && !ctype_digit($op[$field])) {
            $op[$field] = palimpsest_refs('{{' . $kind . ':' . $op[$field] . '}}');
        }
    }
    if (isset($op['content'])) $op['content'] = palimpsest_refs($op['content']);
    switch ($op['op']) {
    case 'install':
        // Themes sit under /usr/share/wordpress/wp-content; see the harness's config.
        $r = wp_install($op['title'], 'admin', 'admin@example.invalid', false, '', $op['password']);
        // A clean slate: the seed defines every post and comment the tests compare.
        foreach (get_posts(['post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1]) as $p) {
            wp_delete_post($p->ID, true);
        }
        return ['user_id' => $r['user_id']];
    case 'options':
        $before = [];
        foreach ($op['values'] as $name => $value) {
            $before[$name] = get_option($name);
            update_option($name, $value);
        }
        return $before;
    case 'permalinks':
        global $wp_rewrite;
        $wp_rewrite->set_permalink_structure($op['structure']);
        flush_rewrite_rules(false);
        return true;
    case 'theme':
        $theme = wp_get_theme($op['name']);
        if (!$theme->exists()) palimpsest_fail('no theme ' . $op['name']);
        switch_theme($op['name']);
        return get_stylesheet();
    case 'user':
        $id = wp_insert_user([
            'user_login' => $op['login'],
            'user_pass' => wp_generate_password(),
            'user_email' => $op['login'] . '@example.invalid',
            'display_name' => $op['display_name'],
            'nickname' => $op['display_name'],
            'role' => 'author',
        ]);
        return palimpsest_check($id, 'insert user ' . $op['login']);
    case 'add_post':
        $id = palimpsest_insert_post($op);
        if (isset($op['key'])) $palimpsest_keys['post'][$op['key']] = $id;
        return palimpsest_post_view($id);
    case 'update_post':
        $args = ['ID' => (int) $op['id']];
        foreach (['content' => 'post_content', 'title' => 'post_title'] as $k => $field) {
            if (isset($op[$k])) $args[$field] = $op[$k];
        }
        if (isset($op['modified_gmt'])) {
            // wp_update_post always stamps "now"; a fixed time keeps tests reproducible.
            add_filter('wp_insert_post_data', function ($data) use ($op) {
                $data['post_modified_gmt'] = $op['modified_gmt'];
                $data['post_modified'] = palimpsest_local($op['modified_gmt']);
                return $data;
            });
        }
        palimpsest_check(wp_update_post(wp_slash($args), true), 'update post');
        return palimpsest_post_view((int) $op['id']);
    case 'add_comment':
        $id = palimpsest_insert_comment($op);
        if (isset($op['key'])) $palimpsest_keys['comment'][$op['key']] = $id;
        return palimpsest_comment_view($id);
    case 'edit_comment':
        $args = ['comment_ID' => (int) $op['id']];
        if (isset($op['content'])) $args['comment_content'] = $op['content'];
        if (isset($op['author'])) $args['comment_author'] = $op['author'];
        palimpsest_check(wp_update_comment(wp_slash($args), true) !== false, 'update comment');
        return palimpsest_comment_view((int) $op['id']);
    case 'trash_comment':
        palimpsest_check(wp_trash_comment((int) $op['id']), 'trash comment');
        return palimpsest_comment_view((int) $op['id']);
    case 'restore_comment':
        palimpsest_check(wp_untrash_comment((int) $op['id']), 'restore comment');
        return palimpsest_comment_view((int) $op['id']);
    case 'trash_post':
        palimpsest_check(wp_trash_post((int) $op['id']), 'trash post');
        return palimpsest_post_view((int) $op['id']);
    case 'restore_post':
        palimpsest_check(wp_untrash_post((int) $op['id']), 'restore post');
        // WordPress 5.6+ restores to draft; the tests want the post back as it was.
        palimpsest_check(wp_publish_post((int) $op['id']) !== false, 'republish post');
        return palimpsest_post_view((int) $op['id']);
    case 'comment_view':
        return palimpsest_comment_view((int) $op['id']);
    case 'post_view':
        return palimpsest_post_view((int) $op['id']);
    case 'eval':
        return eval($op['code']);
    }
    palimpsest_fail('unknown op ' . $op['op']);
}

$results = [];
foreach ($ops as $op) {
    $results[] = palimpsest_run($op);
}
$wpdb->query('COMMIT');
echo json_encode(['results' => $results], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
