import { Navigate, type RouteObject } from 'react-router'
import { AcceptInvitationPage, ResetPasswordPage, VerifyEmailPage } from '../features/account/AccountPages'
import { EmailVerificationPage, ForgotPasswordPage, PasswordResetPage } from '../features/auth/AccountLinkPages'
import { InvitationPage } from '../features/auth/InvitationPage'
import { LoginPage } from '../features/auth/LoginPage'
import { SignupPage } from '../features/auth/SignupPage'
import { CreateInstancePage } from '../features/instances/CreateInstancePage'
import { InstanceLayout } from '../features/instances/InstanceLayout'
import { InstanceSettingsPage } from '../features/instances/InstanceSettingsPage'
import { ProfilePage } from '../features/profile/ProfilePage'
import { AppLayout } from './AppLayout'
import { HomeRedirect } from './HomeRedirect'
import {
  ApplicationDetailRoute,
  ApplicationsRoute,
  AuditLogRoute,
  ConfigRoute,
  EmailsRoute,
  GeneralRoute,
  InstanceHomeRoute,
  ManagementClientDetailRoute,
  ManagementClientsRoute,
  UsageRoute,
  UserDetailRoute,
  UsersRoute,
  WebhookDetailRoute,
  WebhooksRoute,
} from './instancePages'
import { NotFoundPage } from './NotFoundPage'
import { RedirectIfAuthenticated, RequireAuth } from './RequireAuth'

export const routes: RouteObject[] = [
  // Behind the links in end users' emails: public, no console session.
  { path: '/account/verify-email', element: <VerifyEmailPage /> },
  { path: '/account/reset-password', element: <ResetPasswordPage /> },
  { path: '/account/accept-invitation', element: <AcceptInvitationPage /> },
  // Behind the links in console accounts' emails: they work signed in and signed out.
  { path: '/verify-email', element: <EmailVerificationPage /> },
  { path: '/reset-password', element: <PasswordResetPage /> },
  { path: '/invitations/accept', element: <InvitationPage /> },
  {
    element: <RedirectIfAuthenticated />,
    children: [
      { path: '/login', element: <LoginPage /> },
      { path: '/signup', element: <SignupPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
    ],
  },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <HomeRedirect /> },
          { path: '/instances/new', element: <CreateInstancePage /> },
          {
            path: '/i/:slug',
            element: <InstanceLayout />,
            children: [
              { index: true, element: <InstanceHomeRoute /> },
              { path: 'settings', element: <InstanceSettingsPage /> },
              { path: 'settings/audit-log', element: <AuditLogRoute /> },
              { path: 'settings/management-clients', element: <ManagementClientsRoute /> },
              { path: 'settings/management-clients/:id', element: <ManagementClientDetailRoute /> },
              { path: 'settings/webhooks', element: <WebhooksRoute /> },
              { path: 'settings/webhooks/:id', element: <WebhookDetailRoute /> },
              { path: 'applications', element: <ApplicationsRoute /> },
              { path: 'applications/:id', element: <ApplicationDetailRoute /> },
              { path: 'usage', element: <UsageRoute /> },
              { path: 'users', element: <UsersRoute /> },
              { path: 'users/:id', element: <UserDetailRoute /> },
              { path: 'config', element: <ConfigRoute /> },
              { path: 'general', element: <Navigate to="identity" replace /> },
              { path: 'general/:tab', element: <GeneralRoute /> },
              { path: 'emails', element: <EmailsRoute /> },
            ],
          },
          { path: '/profile', element: <ProfilePage /> },
          { path: '/profile/:tab', element: <ProfilePage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]
